/* The operator console's case page: draws the case's diagram with bpmn-js and marks the steps done (the path
   taken) and where the case stands now. The marks come from the page's own list (data-element), so the page
   says the same without JavaScript. */
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS !== "function") { return; }

  function ids(selector) {
    var found = [];
    document.querySelectorAll(selector).forEach(function (item) {
      var id = item.getAttribute("data-element");
      if (id && found.indexOf(id) < 0) { found.push(id); }
    });
    return found;
  }

  function mark(viewer) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    var marked = { done: [], current: [] };
    ids("[data-path='done']").forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, "case-done"); marked.done.push(id); }
    });
    ids("[data-path='current']").forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, "case-current"); marked.current.push(id); }
    });
    container.setAttribute("data-done", marked.done.join(" "));
    container.setAttribute("data-current", marked.current.join(" "));
  }

  function failed(error) {
    container.setAttribute("data-ready", "failed");
    container.textContent = (container.getAttribute("data-failed") || "") + " " + (error && error.message ? error.message : "");
  }

  var moddleReady = fetch(container.getAttribute("data-moddle-url")).then(function (r) { return r.json(); });
  var xmlReady = fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error(String(r.status)); }
    return r.text();
  });
  Promise.all([moddleReady, xmlReady]).then(function (both) {
    var viewer = new window.BpmnJS({ container: container, moddleExtensions: { camunda: both[0] } });
    return viewer.importXML(both[1]).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      mark(viewer);
      container.setAttribute("data-ready", "true");
    });
  }).catch(failed);
})();
