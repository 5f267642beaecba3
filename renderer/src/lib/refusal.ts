import type { ApiIssue } from '../../../electron/api/contract/index.ts';
import { ApiCallError } from '../api/client.ts';
import { say } from '../i18n/index.svelte.ts';

/** What went wrong, in the shop's language when the backend gave a message code. */
export function refusalText(error: unknown): string {
  if (error instanceof ApiCallError && error.result.reason) return say(error.result.reason);
  return error instanceof Error ? error.message : String(error);
}

/** A field-level refusal in the shop's language when the backend gave a message code. */
export const issueText = (issue: ApiIssue): string =>
  issue.reason ? say(issue.reason) : issue.message;
