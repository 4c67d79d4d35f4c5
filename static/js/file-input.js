// Shows the names of the chosen photos next to our "Choose photos" button.
// Only a convenience: the form works the same without JavaScript.
document.querySelectorAll(".file-input").forEach(function (box) {
  var input = box.querySelector("input[type=file]");
  var names = box.querySelector(".file-names");
  if (!input || !names) return;
  input.addEventListener("change", function () {
    var chosen = Array.prototype.map.call(input.files, function (file) { return file.name; });
    names.textContent = chosen.length ? chosen.join(", ") : names.dataset.none;
  });
});
