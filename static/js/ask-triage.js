// Live triage while asking: emergency banner, suggested departments, and what will be masked.
// Without this script the form still works: masking is previewed after the first send instead.
(() => {
  const panel = document.getElementById("triage-check");
  const form = panel && panel.closest("form");
  if (!form || !window.fetch) return;
  const title = form.querySelector("[name=title]");
  const body = form.querySelector("[name=body]");
  const department = form.querySelector("[name=department]");
  const seen = form.querySelector("[name=masking_seen]");
  let timer = null;
  let controller = null;
  const update = () => {
    if (controller) controller.abort();
    controller = new AbortController();
    const params = new URLSearchParams({ title: title.value, body: body.value.slice(0, 5000) });
    fetch(`${panel.dataset.checkUrl}?${params}`, { signal: controller.signal })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        panel.innerHTML = html;
        // The asker has now seen the masking preview live, so sending posts at once.
        if (seen) seen.value = "True";
      })
      .catch(() => {});
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(update, 500); };
  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
  panel.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-department]");
    if (chip && department) department.value = chip.dataset.department;
  });
})();
