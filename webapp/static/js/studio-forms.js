/* Form editor: refreshes the preview (rendered on the server by the citizens' templates) as the analyst types. */
(function () {
  "use strict";

  var form = document.getElementById("fields-form");
  var target = document.getElementById("form-preview");
  if (!form || !target || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var jsonArea = document.getElementById("form-json");
  var timer = null;
  var sequence = 0;

  function refresh(source) {
    var body = new FormData(source);
    body.set("action", "preview");
    var mine = ++sequence;
    target.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.text() : Promise.reject(reply.status); })
      .then(function (html) {
        if (mine !== sequence) { return; }
        target.innerHTML = html;
        target.setAttribute("data-updated", String(mine));
      })
      .catch(function () { /* keep the last preview; the Preview button still works */ })
      .then(function () { if (mine === sequence) { target.removeAttribute("aria-busy"); } });
  }

  function later(source) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refresh(source); }, 300);
  }

  form.addEventListener("input", function () { later(form); });
  form.addEventListener("change", function () { later(form); });
  if (jsonArea && jsonArea.form) {
    jsonArea.addEventListener("input", function () { later(jsonArea.form); });
  }
})();
