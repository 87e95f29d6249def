// Live preview for the notice form: after a pause in typing, post the form (to where it saves,
// so an edit previews with its notice's reference code) and swap in the preview pane the server
// renders. Without JavaScript the Preview button does the same.
(function () {
  var form = document.getElementById("notice-form");
  if (!form || !window.fetch) return;
  var timer = null;
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("op", "preview");
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: { "X-Preview-Fragment": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString(),
      credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      var pane = document.getElementById("preview");
      if (html && pane) pane.outerHTML = html;
    });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
