// The shell: a sidebar of pages, a bar with the cluster's health and the API key, and the page the path names.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Field, Modal } from './components/ui.js';
import { useApp } from './context.js';
import { usePolled } from './hooks.js';
import { ConsumersPage } from './pages/consumers.js';
import { GroupPage } from './pages/group.js';
import { Overview } from './pages/overview.js';
import { ProducePage } from './pages/produce.js';
import { TopicPage } from './pages/topic.js';
import { Topics } from './pages/topics.js';
import { Link, match, usePath } from './router.js';

const NAV: Array<[string, string, (path: string) => boolean]> = [
  ['/', 'Overview', (path) => path === '/'],
  ['/topics', 'Topics', (path) => path.startsWith('/topics')],
  ['/consumers', 'Consumers', (path) => path.startsWith('/consumers')],
  ['/produce', 'Produce', (path) => path.startsWith('/produce')],
];

export function App({ askForKey, onKeyAsked }: { askForKey: boolean; onKeyAsked: () => void }) {
  const path = usePath();
  return (
    <div class="layout">
      <aside class="sidebar">
        <Link href="/" class="brand">
          <Logo />
          <span>Tributary</span>
        </Link>
        <nav>
          {NAV.map(([href, label, active]) => (
            <Link href={href} class={active(path) ? 'active' : ''} aria-current={active(path) ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </aside>
      <div class="main">
        <TopBar askForKey={askForKey} onKeyAsked={onKeyAsked} />
        <main class="content">
          <Page path={path} />
        </main>
      </div>
    </div>
  );
}

function Page({ path }: { path: string }): ComponentChildren {
  let params: Record<string, string> | null;
  if (path === '/') return <Overview />;
  if (path === '/topics') return <Topics />;
  if ((params = match('/topics/:topic', path))) return <TopicPage key={params['topic']} name={params['topic']!} />;
  if (path === '/consumers') return <ConsumersPage />;
  if ((params = match('/consumers/groups/:group', path))) return <GroupPage key={params['group']} name={params['group']!} />;
  if (path === '/produce') return <ProducePage />;
  return (
    <div class="empty">
      No page at {path}. <Link href="/">Go to the overview</Link>.
    </div>
  );
}

function TopBar({ askForKey, onKeyAsked }: { askForKey: boolean; onKeyAsked: () => void }) {
  const { api, config } = useApp();
  const ready = usePolled(api.readiness, 5_000);
  const [editing, setEditing] = useState(false);
  const status = ready.data?.status;
  return (
    <div class="topbar">
      <span class={`health ${status === 'ready' ? 'good' : status === 'degraded' ? 'warn' : 'bad'}`} data-testid="health">
        <i />
        {status === undefined ? (ready.error ? 'broker unreachable' : 'checking…') : status === 'ready' ? 'all systems ready' : status}
      </span>
      <span class="spacer" />
      <span class="muted small">{location.host}</span>
      {config.auth && (
        <button type="button" class="small" onClick={() => setEditing(true)}>
          {api.hasKey ? 'Change API key' : 'Set API key'}
        </button>
      )}
      {(editing || askForKey) && (
        <ApiKeyDialog
          onClose={() => {
            setEditing(false);
            onKeyAsked();
          }}
        />
      )}
    </div>
  );
}

/** With AUTH=on every call needs a key: asked for at the start and whenever a service answers 401. */
function ApiKeyDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const [key, setKey] = useState('');
  const save = (event: Event) => {
    event.preventDefault();
    api.setKey(key.trim() || null);
    location.reload();
  };
  return (
    <Modal
      title="API key"
      onClose={onClose}
      footer={
        <>
          {api.hasKey && (
            <button type="button" onClick={() => (api.setKey(null), location.reload())}>
              Forget key
            </button>
          )}
          <button type="submit" form="api-key" class="primary">
            Use this key
          </button>
        </>
      }
    >
      <form id="api-key" class="form" onSubmit={save}>
        <p>
          This cluster has authentication on. Paste an API key (<span class="mono">trib_…</span>, or the admin key); it is sent as{' '}
          <span class="mono">Authorization: Bearer</span> and kept only in this browser tab.
        </p>
        <Field label="API key">
          <input name="api-key" type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} autoFocus />
        </Field>
      </form>
    </Modal>
  );
}

function Logo() {
  return (
    <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#0e7490" />
      <path d="M7 11c4 0 4 3 9 3s5-3 9-3M7 17c4 0 4 3 9 3s5-3 9-3M7 23c4 0 4 3 9 3s5-3 9-3" stroke="#cffafe" stroke-width="2.2" fill="none" stroke-linecap="round" />
    </svg>
  );
}
