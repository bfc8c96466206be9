/* Draws a version's diagram with bpmn-js (viewer on the version page, modeler on the modeler page),
   marks the elements that have problems, and on the modeler page puts the edited XML into the save form. */
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  if (!container || typeof window.BpmnJS !== "function") { return; }
  var mode = container.getAttribute("data-mode");
  var textarea = document.getElementById("xml");
  var status = document.getElementById("modeler-status");
  var form = document.getElementById("save-form");
  var xmlTyped = false;

  function say(text) { if (status) { status.textContent = text; } }

  function problems() {
    var found = {};
    document.querySelectorAll(".problem[data-element]").forEach(function (item) {
      var id = item.getAttribute("data-element");
      var text = item.querySelector(".problem__message");
      if (id) { (found[id] = found[id] || []).push(text ? text.textContent : ""); }
    });
    return found;
  }

  function markProblems(viewer) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    var overlays = viewer.get("overlays");
    var all = problems();
    Object.keys(all).forEach(function (id) {
      if (!registry.get(id)) { return; }
      canvas.addMarker(id, "has-error");
      var note = document.createElement("div");
      note.className = "diagram-problem";
      note.textContent = all[id].join(" · ");
      overlays.add(id, "problem", { position: { bottom: 0, left: 0 }, html: note });
    });
    document.querySelectorAll(".problem__element").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var element = registry.get(link.getAttribute("data-element"));
        if (!element) { return; }
        event.preventDefault();
        container.scrollIntoView({ block: "center" });
        if (typeof canvas.scrollToElement === "function") { canvas.scrollToElement(element); }
        try { viewer.get("selection").select(element); } catch (e) { /* the viewer has no selection */ }
        canvas.addMarker(element.id, "is-focused");
        window.setTimeout(function () { canvas.removeMarker(element.id, "is-focused"); }, 2000);
      });
    });
  }

  function load(moddle, xml) {
    var viewer = new window.BpmnJS({
      container: container,
      keyboard: mode === "modeler" ? { bindTo: document } : undefined,
      moddleExtensions: { camunda: moddle }
    });
    window.studioModeler = viewer;
    return viewer.importXML(xml).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      markProblems(viewer);
      container.setAttribute("data-ready", "true");
      return viewer;
    });
  }

  function failed(error) {
    container.setAttribute("data-ready", "failed");
    var message = container.getAttribute("data-failed") || "";
    say(message + " " + (error && error.message ? error.message : ""));
    var details = document.getElementById("xml-fallback");
    if (details) { details.open = true; }
  }

  var moddleReady = fetch(container.getAttribute("data-moddle-url")).then(function (r) { return r.json(); });
  var xmlReady = textarea ? Promise.resolve(textarea.value)
    : fetch(container.getAttribute("data-xml-url")).then(function (r) { return r.text(); });

  Promise.all([moddleReady, xmlReady]).then(function (both) {
    return load(both[0], both[1]);
  }).then(function (viewer) {
    if (!form || !textarea) { return; }
    textarea.addEventListener("input", function () { xmlTyped = true; });
    form.addEventListener("submit", function (event) {
      if (xmlTyped || form.getAttribute("data-xml-ready") === "true") { return; }
      event.preventDefault();
      viewer.saveXML({ format: true }).then(function (result) {
        textarea.value = result.xml;
        form.setAttribute("data-xml-ready", "true");
        form.submit();
      }).catch(failed);
    });
  }).catch(failed);
})();
