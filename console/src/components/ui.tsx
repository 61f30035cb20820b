// The few building blocks every page is made of; their look is in styles.css.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api.js';
import type { Loaded } from '../hooks.js';

export function PageHeader({ title, subtitle, actions }: { title: ComponentChildren; subtitle?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p class="subtitle">{subtitle}</p>}
      </div>
      {actions && <div class="actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, actions, children, flush }: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; flush?: boolean }) {
  return (
    <section class={`card${flush ? ' flush' : ''}`}>
      {(title || actions) && (
        <div class="card-header">
          <h2>{title}</h2>
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, detail, testId }: { label: string; value: ComponentChildren; detail?: ComponentChildren; testId?: string }) {
  return (
    <div class="stat" data-testid={testId}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {detail && <div class="stat-detail">{detail}</div>}
    </div>
  );
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** A dependency's state as /readyz and /cluster word it: ready, degraded, or why not. */
export function StateBadge({ state }: { state: string | undefined }) {
  if (state === undefined) return <Badge tone="neutral">unknown</Badge>;
  return <Badge tone={state === 'ready' ? 'good' : state === 'degraded' ? 'warn' : 'bad'}>{state}</Badge>;
}

export function ErrorNote({ error, what }: { error: ApiError | undefined; what?: string }) {
  if (!error) return null;
  return (
    <div class="note error" role="alert">
      <strong>{what ?? 'Request failed'}</strong> <code>{error.code}</code> {error.message}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading() {
  return <div class="empty">Loading…</div>;
}

export function Tabs<T extends string>({ tabs, active, onSelect }: { tabs: Array<[T, string]>; active: T; onSelect: (tab: T) => void }) {
  return (
    <nav class="tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button type="button" role="tab" aria-selected={id === active} class={id === active ? 'active' : ''} onClick={() => onSelect(id)}>
          {label}
        </button>
      ))}
    </nav>
  );
}

/** A modal dialog (the native <dialog>, so focus and Escape behave as a browser's own). */
export function Modal({ title, onClose, children, footer }: { title: string; onClose: () => void; children: ComponentChildren; footer: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="modal" onClose={onClose} onCancel={onClose} aria-label={title}>
      <div class="modal-header">
        <h2>{title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div class="modal-body">{children}</div>
      <div class="modal-footer">{footer}</div>
    </dialog>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: ComponentChildren; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

/** A polled list in a card: its error, "Loading…" until the first answer, `empty` for none, else the table. */
export function PolledList<T>({ loaded, what, empty, children }: { loaded: Loaded<T[]>; what: string; empty: ComponentChildren; children: (list: T[]) => ComponentChildren }) {
  const { data, error } = loaded;
  return (
    <>
      <ErrorNote error={error} what={what} />
      {data === undefined ? !error && <Loading /> : data.length === 0 ? <Empty>{empty}</Empty> : children(data)}
    </>
  );
}
