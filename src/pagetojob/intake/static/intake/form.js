/* PageToJob hosted booking form: ZIP check, JSON submit with a stable submission id, attribution context. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("intake-config").textContent);
  var form = document.getElementById("booking-form");
  if (!form) return;
  var summary = document.getElementById("error-summary");
  var errorList = document.getElementById("error-list");
  var zipAnswer = document.getElementById("zip-answer");
  var status = document.getElementById("send-status");
  var button = document.getElementById("submit");
  var embedded = window.parent !== window;
  var parentOrigin = config.hostOrigin || "";
  var hostContext = {};
  var submissionId = newId();
  var sending = false;
  var startedAt = Date.now();
  var CONTEXT_KEYS = ["landing_page", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ga_client_id", "device_class"];
  var TOUCH_KEYS = ["url", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "at"];
  var FIELD_IDS = { "address.street": "street", "address.unit": "unit", "address.city": "city",
    "address.state": "state", "address.zip": "zip", urgency: "urgency", customer_type: "customer_type" };

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "f-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function pick(source, keys) {
    var out = {};
    if (!source || typeof source !== "object") return out;
    keys.forEach(function (key) {
      if (typeof source[key] === "string" && source[key]) out[key] = source[key].slice(0, 2000);
    });
    return out;
  }

  function ownContext() {
    var params = new URLSearchParams(window.location.search);
    var context = { landing_page: window.location.href, referrer: document.referrer || "" };
    CONTEXT_KEYS.forEach(function (key) { if (params.get(key)) context[key] = params.get(key); });
    var width = window.innerWidth;
    context.device_class = width < 768 ? "mobile" : width < 1024 ? "tablet" : "desktop";
    return context;
  }

  // Context from the host page is accepted only from our parent window at an allowed origin, and only
  // ever used as attribution.
  window.addEventListener("message", function (event) {
    if (!embedded || event.source !== window.parent) return;
    if (config.allowedOrigins.indexOf(event.origin) === -1) return;
    var data = event.data || {};
    if (data.type !== "pagetojob:context") return;
    parentOrigin = event.origin;
    hostContext = pick(data.context, CONTEXT_KEYS);
    ["first_touch", "last_touch"].forEach(function (key) {
      var touch = pick(data.context && data.context[key], TOUCH_KEYS);
      if (Object.keys(touch).length) hostContext[key] = touch;
    });
    postHeight();
  });

  function toParent(message) {
    if (embedded && parentOrigin) window.parent.postMessage(message, parentOrigin);
  }

  function postHeight() {
    toParent({ type: "pagetojob:height", height: Math.ceil(document.documentElement.scrollHeight) });
  }
  if (embedded) {
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.body);
    toParent({ type: "pagetojob:ready" });
  }

  // A paused or emergency-only zone changes what the visitor is asked to do; built from text, never markup.
  function renderCta(cta) {
    var section = document.getElementById("cta");
    if (!section) return;
    var callFirst = cta.mode === "call_now" || cta.mode === "paused";
    section.className = "cta cta-" + cta.mode;
    section.textContent = "";
    var primary = document.createElement("p");
    primary.className = "cta-primary";
    primary.id = "cta-primary";
    primary.textContent = cta.primary;
    section.appendChild(primary);
    function callLink(text, className) {
      var link = document.createElement("a");
      link.href = cta.tel;
      link.textContent = text;
      if (className) link.className = className;
      return link;
    }
    function line(text) {
      var node = document.createElement("p");
      node.className = "cta-secondary";
      if (text) node.textContent = text;
      section.appendChild(node);
      return node;
    }
    if (callFirst) {
      if (cta.tel) section.appendChild(callLink("Call " + cta.phone, "btn btn-call"));
      if (cta.secondary) line(cta.secondary + " — use the form below.");
    } else {
      if (cta.secondary) line(cta.secondary);
      if (cta.tel) {
        var talk = line("Prefer to talk? ");
        talk.appendChild(callLink("Call " + cta.phone));
      }
    }
  }

  // The ZIP answer comes as soon as five digits are typed.
  var lastZip = "";
  document.getElementById("zip").addEventListener("input", function (event) {
    var zip = event.target.value.trim().slice(0, 5);
    if (!/^\d{5}$/.test(zip) || zip === lastZip) return;
    lastZip = zip;
    fetch(config.zonesUrl + "?zip=" + encodeURIComponent(zip) + "&page_url=" + encodeURIComponent(config.pageUrl || ""), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        zipAnswer.textContent = answer.message || "";
        zipAnswer.className = "zip-answer " + (answer.served ? "served" : "not-served");
        if (answer.cta) renderCta(answer.cta);
        postHeight();
      })
      .catch(function () { zipAnswer.textContent = ""; });
  });

  function value(id) { return document.getElementById(id).value.trim(); }
  function checked(id) { return document.getElementById(id).checked; }
  function radio(name) {
    var chosen = form.querySelector("input[name=" + name + "]:checked");
    return chosen ? chosen.value : "";
  }

  function payload() {
    var context = embedded ? Object.assign({}, hostContext) : ownContext();
    if (embedded && !context.landing_page && config.pageUrl) context.landing_page = config.pageUrl;
    return {
      submission_id: submissionId, page_url: config.pageUrl || window.location.href,
      service: value("service"), urgency: radio("urgency"), preferred_date: value("preferred_date"),
      preferred_window: value("preferred_window"), name: value("name"), phone: value("phone"),
      email: value("email"), notes: document.getElementById("notes").value,
      address: { street: value("street"), unit: value("unit"), city: value("city"), state: value("state"),
        zip: value("zip") },
      consent_sms: checked("consent_sms"), consent_email: checked("consent_email"),
      membership_interest: checked("membership_interest"), customer_type: radio("customer_type"),
      website: document.getElementById("website").value, form_started_at: startedAt,
      context: context
    };
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (node) { node.hidden = true; node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    errorList.textContent = "";
    summary.hidden = true;
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (key) {
      var id = FIELD_IDS[key] || key;
      var message = errors[key];
      var target = document.getElementById(id) || form.querySelector("input[name=" + id + "]");
      var slot = document.getElementById(id + "-error");
      if (slot) { slot.textContent = message; slot.hidden = false; }
      if (target) target.setAttribute("aria-invalid", "true");
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + (target ? target.id || id : "booking-form");
      link.textContent = message;
      link.addEventListener("click", function (event) {
        if (target) { event.preventDefault(); target.focus(); }
      });
      item.appendChild(link);
      errorList.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
    postHeight();
  }

  function succeeded(body, sent) {
    form.hidden = true;
    summary.hidden = true;
    var confirmation = document.getElementById("confirmation");
    confirmation.hidden = false;
    document.getElementById("confirmation-ref").textContent = "Reference #" + body.id;
    confirmation.focus();
    var event = { event: "pagetojob_booking_request", service: sent.service || "not chosen",
      urgency: sent.urgency, page_path: config.pagePath || window.location.pathname };
    if (embedded) {
      toParent({ type: "pagetojob:submitted", detail: event });
    } else {
      window.dataLayer = window.dataLayer || [];
      window.dataLayer.push(event);
    }
    submissionId = newId();
    postHeight();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    sending = true;
    clearErrors();
    button.disabled = true;
    status.textContent = "Sending your request…";
    var sent = payload();
    fetch(config.apiUrl, { method: "POST", headers: { "Content-Type": "application/json",
      Accept: "application/json" }, body: JSON.stringify(sent), credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { code: response.status, body: body };
        });
      })
      .then(function (result) {
        status.textContent = "";
        if (result.code === 200 || result.code === 201) return succeeded(result.body, sent);
        if (result.code === 422 && result.body.errors) return showErrors(result.body.errors);
        var said = result.body.errors && result.body.errors.body;
        showErrors({ form: said || ("We couldn't send your request. Please try again" +
          (config.phone ? ", or call " + config.phone : "") + ".") });
      })
      .catch(function () {
        status.textContent = "";
        showErrors({ form: "We couldn't reach our office. Check your connection and try again" +
          (config.phone ? ", or call " + config.phone : "") + "." });
      })
      .then(function () { sending = false; button.disabled = false; });
  });
})();
