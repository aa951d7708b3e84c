// hygie dashboard: live progress of background jobs (Server-Sent Events).
// Progressive enhancement only: every page works without this file.
"use strict";
(function () {
  var box = document.querySelector(".job[data-job]");
  if (!box || box.getAttribute("data-state") !== "running" || !window.EventSource) {
    return;
  }
  var id = box.getAttribute("data-job");
  var bar = document.getElementById("job-progress");
  var label = box.querySelector(".job-label");
  var source = new EventSource("/taches/" + encodeURIComponent(id) + "/flux");
  source.addEventListener("progress", function (event) {
    var job = JSON.parse(event.data);
    if (bar && job.percent !== null) {
      bar.value = job.percent;
    }
    if (label && job.label) {
      label.textContent = job.label;
    }
    if (job.state !== "running") {
      source.close();
      window.location.reload();
    }
  });
  source.onerror = function () {
    source.close();
    window.setTimeout(function () { window.location.reload(); }, 2000);
  };
})();
