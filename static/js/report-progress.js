// Follows an annual report being made: asks the server how far it has got every few seconds
// and updates the progress bar, its text and the list of stages on the page. When the report
// is ready (or has failed) it reloads the page, which then shows the downloads (or the error).
// Without JavaScript the page's "Refresh" link does the same by hand. Nothing here writes
// HTML or styles, so the page's Content-Security-Policy holds.
(function () {
  "use strict";

  const root = document.getElementById("report-progress");
  if (!root || root.dataset.working !== "true" || !window.fetch) {
    return;
  }
  const url = root.dataset.progressUrl;
  const bar = root.querySelector("progress");
  const text = root.querySelector("[data-progress-text]");
  const stages = Array.from(root.querySelectorAll("[data-stage-start]"));
  const EVERY_MS = 2000;
  const GIVE_UP_AFTER = 900; // polls: half an hour
  let polls = 0;

  function tag(label, colour) {
    const strong = document.createElement("strong");
    strong.className = `govuk-tag govuk-tag--${colour}`;
    strong.textContent = label;
    return strong;
  }

  function showStage(item, report) {
    const start = Number(item.dataset.stageStart);
    const end = Number(item.dataset.stageEnd);
    const status = item.querySelector("[data-stage-status]");
    let state = "waiting";
    if (report.status === "done" || report.progress >= end) {
      state = "done";
    } else if (report.progress >= start && (report.status === "running" || report.status === "failed")) {
      state = report.status === "running" ? "running" : "failed";
    }
    status.classList.toggle("govuk-task-list__status--cannot-start-yet", state === "waiting");
    status.replaceChildren();
    if (state === "running") {
      status.append(tag("In progress", "light-blue"));
    } else if (state === "failed") {
      status.append(tag("Failed", "red"));
    } else {
      status.textContent = state === "done" ? "Completed" : "Not started";
    }
  }

  function show(report) {
    bar.value = report.progress;
    bar.textContent = `${report.progress}%`;
    text.textContent = report.stage ? `${report.progress}%: ${report.stage}` : `${report.progress}%`;
    stages.forEach((item) => showStage(item, report));
  }

  function poll() {
    polls += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((report) => {
        show(report);
        if (report.status === "done" || report.status === "failed") {
          window.location.reload();
        } else if (polls < GIVE_UP_AFTER) {
          window.setTimeout(poll, EVERY_MS);
        }
      })
      .catch(() => {
        // The "Refresh" link still works; try again a little later.
        if (polls < GIVE_UP_AFTER) {
          window.setTimeout(poll, EVERY_MS * 5);
        }
      });
  }

  window.setTimeout(poll, EVERY_MS);
})();
