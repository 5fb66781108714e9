// The language menu submits its form as soon as a language is picked (the content security policy
// allows no inline handlers, so this lives here).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.submit();
});
