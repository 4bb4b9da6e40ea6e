// Building the page from data: elements with their properties and children (text is set as
// text, never parsed as HTML), and one place per container for the last failure's message.
export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/// Shows `message` (the server's words) in `container`'s failure box, made on first use.
export function showFailure(container, message) {
  let box = container.querySelector(":scope > .failure");
  if (!box) {
    box = el("p", { className: "error failure", role: "alert" });
    container.append(box);
  }
  box.textContent = message;
}
