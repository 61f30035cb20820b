// Starts the console: reads /ui/config.json (is auth on, is there a gateway), then renders the shell.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { Api, type UiConfig } from './api.js';
import { App } from './app.js';
import { AppContext } from './context.js';
import { Sampler, SamplerContext } from './sampler.js';
import './styles.css';

function Root({ api, config }: { api: Api; config: UiConfig }) {
  const [askForKey, setAskForKey] = useState(config.auth && !api.hasKey);
  api.onUnauthenticated = () => setAskForKey(true);
  const [sampler] = useState(() => new Sampler(api, config.gateway !== null));
  return (
    <AppContext.Provider value={{ api, config }}>
      <SamplerContext.Provider value={sampler}>
        <App askForKey={askForKey} onKeyAsked={() => setAskForKey(false)} />
      </SamplerContext.Provider>
    </AppContext.Provider>
  );
}

const api = new Api();
const root = document.getElementById('app')!;
api
  .config()
  .then((config) => render(<Root api={api} config={config} />, root))
  .catch((err: Error) => {
    root.textContent = `The console could not start: ${err.message}`;
  });
