// Small DOM helpers for the room. Text from the network only ever goes in as text.

/** An element with properties (className, textContent, hidden, …), data- attributes
 * (`dataset`), other attributes (`attributes`) and children (nodes or strings). */
export function element(tag, { dataset, attributes, ...properties } = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  for (const [key, value] of Object.entries(dataset ?? {})) node.dataset[key] = value;
  for (const [key, value] of Object.entries(attributes ?? {})) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** A copy of the first element of <template data-template="name"> in root. */
export function fromTemplate(root, name) {
  const template = root.querySelector(`template[data-template="${name}"]`);
  return template.content.firstElementChild.cloneNode(true);
}

export function show(node, visible = true) {
  if (node) node.hidden = !visible;
}

/** Put text in an element and show it, or hide it when the text is empty. */
export function setMessage(node, text) {
  if (!node) return;
  node.textContent = text || "";
  node.hidden = !text;
}
