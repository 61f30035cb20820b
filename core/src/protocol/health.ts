// GET /healthz and GET /readyz, on both services.
import { Type, type Static } from '@sinclair/typebox';
import { ErrorAnswer, StringEnum } from './common.js';

export const Liveness = Type.Object({ status: Type.Literal('ok') });
export type Liveness = Static<typeof Liveness>;

/** Each dependency's state: "ready", "degraded", or why it cannot serve. */
export const CheckStates = Type.Record(Type.String(), Type.String());

export const Readiness = Type.Object({
  status: StringEnum(['ready', 'degraded']),
  checks: CheckStates,
});
export type Readiness = Static<typeof Readiness>;

/** 503 NOT_READY: the error body, with every check. */
export const NotReady = Type.Object({ ...ErrorAnswer.properties, checks: CheckStates });
export type NotReady = Static<typeof NotReady>;
