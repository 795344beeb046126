/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The page's plumbing: elements by id, form fields, the message line, and running a user action. */
import { describeError } from './messages.js';

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};
export const field = (form: HTMLFormElement, name: string): string => {
  const control = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  return control ? control.value.trim() : '';
};
export const show = (element: HTMLElement, visible: boolean) => {
  element.hidden = !visible;
};

let messageTimer: ReturnType<typeof setTimeout> | undefined;
export const showMessage = (text: string, kind: 'error' | 'info' = 'error') => {
  const box = byId('message');
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
  clearTimeout(messageTimer);
  // Errors stay until the next action; confirmations fade on their own.
  if (kind === 'info') messageTimer = setTimeout(() => show(box, false), 4_000);
};
export const clearMessage = () => show(byId('message'), false);

/** Runs a user action: clears the last message, shows any failure as a sentence. */
export const act = async (work: () => Promise<void>) => {
  clearMessage();
  try {
    await work();
  } catch (error) {
    showMessage(describeError(error));
  }
};

export const newId = (): string =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
