// A background job's page while the job runs (templates/generic/includes/job_progress.html):
// the rows done and the state, every second; the page reloads once the job has finished, to
// show the result.
(() => {
  const box = document.getElementById("job-progress");
  if (!box || box.dataset.running !== "true") return;
  const poll = async () => {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const state = await response.json();
    if (!state.running) {
      window.location.reload();
      return;
    }
    document.getElementById("rows-done").textContent = state.rows_done.toLocaleString("en-US");
    document.getElementById("job-status").textContent = state.status_display;
    const busy = state.waiting_for_worker && state.workers_busy > 0;
    document.getElementById("waiting-for-worker").classList.toggle("d-none", !state.waiting_for_worker || busy);
    document.getElementById("workers-busy").classList.toggle("d-none", !busy);
    document.getElementById("jobs-running").textContent = state.workers_busy;
    if (state.rows_total) {
      document.getElementById("rows-total").textContent = ` of ${state.rows_total.toLocaleString("en-US")}`;
      const bar = box.querySelector(".progress");
      bar.setAttribute("aria-valuemax", state.rows_total);
      bar.setAttribute("aria-valuenow", state.rows_done);
      bar.querySelector(".progress-bar").style.width = `${(100 * state.rows_done) / state.rows_total}%`;
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
