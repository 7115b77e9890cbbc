// The scoring-rule page: choosing a kind reloads the page with that kind's fields
// (the "Chọn cách chấm" button does the same without script).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () {
    select.form.submit();
  });
});
