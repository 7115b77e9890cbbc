// The few behaviours the pages need, bound here rather than in inline handlers, so
// that the Content-Security-Policy can refuse every inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
// A refusal (403) or an error answered to an htmx request is not swapped in: say it
// above the form that sent it, with the reason the error page gives. The page is only
// parsed (DOMParser runs no script), never inserted.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const parts = [page.querySelector("main h1"), page.querySelector("#missing-right")]
    .filter((node) => node)
    .map((node) => node.textContent.trim());
  const note = document.createElement("p");
  note.className = "message message-error htmx-error";
  note.setAttribute("role", "alert");
  note.textContent = parts.join(" ") || `${xhr.status} ${xhr.statusText}`;
  const before = event.detail.elt.previousElementSibling;
  if (before && before.classList.contains("htmx-error")) {
    before.remove();
  }
  event.detail.elt.before(note);
});
