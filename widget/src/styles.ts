// Shadow-DOM styles. Themable from the host page with custom properties (--cd-*) and ::part().
// Logical properties (inline-start/end) so that dir="rtl" mirrors the layout by itself.
import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    font: var(--cd-font-size, 1rem) / 1.5 var(--cd-font, system-ui, -apple-system, 'Segoe UI', sans-serif);
    color: var(--cd-text, #1f2933);
    --_accent: var(--cd-accent, #1d4ed8);
    --_accent-text: var(--cd-accent-text, #ffffff);
    --_border: var(--cd-border, #6b7280);
    --_error: var(--cd-error, #b42318);
    --_radius: var(--cd-radius, 6px);
    --_bg: var(--cd-background, #ffffff);
  }
  :host([hidden]) {
    display: none;
  }
  form {
    display: grid;
    gap: var(--cd-gap, 0.9rem);
    max-width: var(--cd-max-width, 36rem);
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  label {
    font-weight: 600;
  }
  .req {
    color: var(--_error);
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem 0.6rem;
    min-width: 0;
  }
  textarea {
    min-height: 8rem;
    resize: vertical;
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  button:focus-visible {
    outline: 3px solid var(--cd-focus, #f59e0b);
    outline-offset: 2px;
  }
  [aria-invalid='true'] {
    border-color: var(--_error);
    border-width: 2px;
  }
  .error {
    color: var(--_error);
    margin: 0;
    font-size: 0.9em;
    min-height: 0;
  }
  .error:empty {
    display: none;
  }
  .hint {
    margin: 0;
    font-size: 0.85em;
    color: var(--cd-muted, #4b5563);
  }
  .files {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.25rem;
  }
  .files li {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    overflow-wrap: anywhere;
  }
  .file-size {
    color: var(--cd-muted, #4b5563);
    font-size: 0.85em;
    white-space: nowrap;
  }
  .remove {
    margin-inline-start: auto;
    background: none;
    border: 1px solid var(--_border);
    color: inherit;
    padding: 0 0.5rem;
    line-height: 1.6;
  }
  .status {
    margin: 0;
  }
  .status.bad {
    color: var(--_error);
    font-weight: 600;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--_radius);
  }
  .submit,
  .launcher {
    background: var(--_accent);
    color: var(--_accent-text);
    border: 0;
    padding: 0.6rem 1.2rem;
    font-weight: 600;
    justify-self: start;
  }
  .submit[aria-disabled='true'] {
    opacity: 0.7;
    cursor: progress;
  }
  .success h2 {
    margin: 0 0 0.5rem;
    font-size: 1.25em;
  }
  .ticket {
    font-weight: 700;
  }
  .link {
    background: none;
    border: 0;
    padding: 0;
    color: var(--_accent);
    text-decoration: underline;
  }
  .hp {
    position: absolute;
    inset-inline-start: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
  .launcher {
    position: fixed;
    inset-block-end: var(--cd-launcher-offset, 1.25rem);
    inset-inline-end: var(--cd-launcher-offset, 1.25rem);
    border-radius: 999px;
    box-shadow: 0 4px 14px rgb(0 0 0 / 0.25);
    z-index: var(--cd-z-index, 2147483000);
  }
  dialog {
    border: 0;
    border-radius: var(--_radius);
    padding: 1.25rem 1.5rem 1.5rem;
    width: min(36rem, calc(100vw - 2rem));
    background: var(--_bg);
    color: inherit;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  .head {
    display: flex;
    justify-content: space-between;
    align-items: center;
    margin-block-end: 0.75rem;
  }
  .head h2 {
    margin: 0;
    font-size: 1.25em;
  }
  .close {
    background: none;
    border: 1px solid transparent;
    font-size: 1.5em;
    line-height: 1;
    padding: 0.1rem 0.45rem;
    color: inherit;
  }
`;
