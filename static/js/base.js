document.documentElement.classList.replace("no-js", "js");

// The top bar's Store dropdown applies as soon as a store is picked.
document.getElementById("current-store")?.addEventListener("change", (event) => {
  event.target.form.submit();
});
