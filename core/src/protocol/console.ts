// GET /ui/config.json (the broker): what the web console needs to know before its first call.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const UiConfig = Type.Object({
  auth: Type.Boolean({ description: 'whether to ask for an API key' }),
  gateway: Nullable(Type.String({ description: 'where the broker relays gateway calls; null: no gateway known' })),
});
export type UiConfig = Static<typeof UiConfig>;
