import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, UiConfig } from './api.js';

export interface AppServices {
  api: Api;
  config: UiConfig;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  return useContext(AppContext)!;
}
