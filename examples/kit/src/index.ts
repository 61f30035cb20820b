export { ApiError, errorBody } from './errors.js';
export { integer, isMain, run, text, tributaryEndpoints, tributaryFromEnv } from './env.js';
export { pageFiles, stylesheetPath, type PageFile } from './look.js';
export { seededRandom } from './random.js';
export {
  isRetriable,
  retrying,
  Tributary,
  TributaryError,
  type ClusterStats,
  type EmailSubscription,
  type GroupDescription,
  type GroupMessage,
  type JoinRequest,
  type MemberView,
  type NackAnswer,
  type ReadMessage,
  type RecordIdLocation,
  type RecordToWrite,
  type ReplayAnswer,
  type TopicRead,
  type WriteResult,
} from './tributary.js';
