// Copy buttons: <button data-copy="#snippet">. The Clipboard API exists only in secure contexts
// (https, localhost); on a plain-http address the snippet is selected and copied the old way,
// and the button says what happened either way.
function copyFeedback(button, label) {
  button.textContent = label;
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}

function copyBySelecting(button, source) {
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  copyFeedback(button, document.execCommand("copy") ? "Copied" : "Press Ctrl+C to copy");
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.innerText).then(
      () => copyFeedback(button, "Copied"),
      () => copyBySelecting(button, source),
    );
  } else {
    copyBySelecting(button, source);
  }
});
