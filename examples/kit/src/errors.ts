// The examples' own HTTP errors in Tributary's shape, {statusCode, code, error, message, retriable}: a client
// of an example reads them as it reads Tributary's.

const reasons: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown by a route for a client's mistake; the server's error handler answers it with errorBody. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error answer's body; only a 503 (something the example needs did not answer) is worth retrying. */
export function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: reasons[statusCode] ?? 'Error', message, retriable: statusCode === 503 };
}
