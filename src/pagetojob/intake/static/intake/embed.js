/* PageToJob embed: <script src="https://…/embed.js" data-site="SITE_KEY" async></script>
   Renders the hosted form in an iframe, keeps first/last touch in this site's localStorage (30 days),
   hands the attribution to the form by postMessage to its exact origin, and resizes the frame. */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-site][src*='embed.js']:not([data-pagetojob-ready])");
  if (!script || script.getAttribute("data-pagetojob-ready")) return;
  script.setAttribute("data-pagetojob-ready", "1");
  var site = script.getAttribute("data-site");
  var formOrigin = new URL(script.src, window.location.href).origin;
  var WINDOW_MS = 30 * 24 * 3600 * 1000;
  var PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "gbraid",
    "wbraid", "fbclid", "msclkid"];
  var storageKey = "pagetojob_touch_" + site;

  function currentTouch() {
    var params = new URLSearchParams(window.location.search);
    var touch = { url: window.location.href, referrer: document.referrer || "", at: new Date().toISOString() };
    PARAMS.forEach(function (key) { if (params.get(key)) touch[key] = params.get(key); });
    return touch;
  }

  function isCampaign(touch) {
    if (PARAMS.some(function (key) { return touch[key]; })) return true;
    try { return !!touch.referrer && new URL(touch.referrer).host !== window.location.host; } catch (e) { return false; }
  }

  function touches() {
    var now = Date.now();
    var touch = currentTouch();
    var stored = {};
    try { stored = JSON.parse(window.localStorage.getItem(storageKey) || "{}") || {}; } catch (e) { stored = {}; }
    if (!stored.first || now - Date.parse(stored.first.at) > WINDOW_MS) stored = { first: touch, last: touch };
    else if (isCampaign(touch)) stored.last = touch;
    if (stored.last && now - Date.parse(stored.last.at) > WINDOW_MS) stored.last = touch;
    try { window.localStorage.setItem(storageKey, JSON.stringify(stored)); } catch (e) { /* storage blocked */ }
    return stored;
  }

  function gaClientId() {
    var match = document.cookie.match(/(?:^|;\s*)_ga=([^;]+)/);
    if (!match) return "";
    var parts = decodeURIComponent(match[1]).split(".");
    return parts.length >= 4 ? parts.slice(-2).join(".") : "";
  }

  var stored = touches();
  var params = new URLSearchParams(window.location.search);
  var width = window.innerWidth;
  var context = { landing_page: stored.last ? stored.last.url : window.location.href, referrer: document.referrer || "",
    ga_client_id: gaClientId(), device_class: width < 768 ? "mobile" : width < 1024 ? "tablet" : "desktop",
    first_touch: stored.first, last_touch: stored.last };
  PARAMS.forEach(function (key) {
    var value = params.get(key) || (stored.last && stored.last[key]) || "";
    if (value) context[key] = value;
  });

  var frame = document.createElement("iframe");
  var pageUrl = window.location.href.split("#")[0];
  frame.src = formOrigin + "/f/" + encodeURIComponent(site) + "/?page_url=" + encodeURIComponent(pageUrl) +
    "&host=" + encodeURIComponent(window.location.origin);
  frame.title = "Request service";
  frame.loading = "eager";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "display:block;width:100%;max-width:720px;border:0;height:1400px;overflow:hidden;";
  script.parentNode.insertBefore(frame, script.nextSibling);

  function sendContext() {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "pagetojob:context", context: context }, formOrigin);
  }
  frame.addEventListener("load", sendContext);

  window.addEventListener("message", function (event) {
    if (event.origin !== formOrigin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "pagetojob:ready") sendContext();
    if (data.type === "pagetojob:height" && typeof data.height === "number") {
      frame.style.height = Math.max(200, Math.min(data.height, 6000)) + "px";
    }
    if (data.type === "pagetojob:submitted" && data.detail) {
      window.dataLayer = window.dataLayer || [];
      window.dataLayer.push({ event: "pagetojob_booking_request", service: String(data.detail.service || ""),
        urgency: String(data.detail.urgency || ""), page_path: window.location.pathname });
    }
  });
})();
