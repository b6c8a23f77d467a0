// Loaded in the head, before the page is drawn: the page is laid out once, with scripts on.
// Switched at the end of the body instead, what shows only without scripts (the top bar's
// Switch button) went away after the first paint and moved everything below it, under a
// click already aimed.
document.documentElement.classList.replace("no-js", "js");
