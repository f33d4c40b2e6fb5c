// Copy buttons on the handoff screen: copy the named element's text, say so on the button and to screen readers.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) { return; }
      var text = source.value !== undefined ? source.value : source.textContent;
      var label = button.textContent;
      var copying = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallbackCopy(text);
      copying.then(function () {
        button.textContent = "Copied";
        button.classList.add("done");
        if (status) { status.textContent = "Copied to the clipboard."; }
      }, function () {
        button.textContent = "Select and copy by hand";
        if (status) { status.textContent = "The browser refused to copy; select the text and copy it by hand."; }
      }).then(function () {
        setTimeout(function () { button.textContent = label; button.classList.remove("done"); }, 2000);
      });
    });
  });
})();
