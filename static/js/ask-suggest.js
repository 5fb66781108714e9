// "Already answered?": while the asker types, fetch answered questions that may be the same one.
// The form works without this script; it only fills the panel beside it.
(() => {
  const form = document.querySelector("[data-suggest-url]");
  const panel = document.getElementById("suggestions");
  if (!form || !panel || !window.fetch) return;
  const title = form.querySelector("[name=title]");
  const body = form.querySelector("[name=body]");
  let timer = null;
  let last = "";
  let controller = null;
  const update = () => {
    const text = `${title.value}\n${body.value}`.trim();
    if (text === last || text.length < 12) return;
    last = text;
    if (controller) controller.abort();
    controller = new AbortController();
    const params = new URLSearchParams({ title: title.value, body: body.value.slice(0, 4000) });
    fetch(`${form.dataset.suggestUrl}?${params}`, { signal: controller.signal })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => { panel.innerHTML = html; })
      .catch(() => {});
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(update, 400); };
  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
  update();
})();
