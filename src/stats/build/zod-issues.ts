import type { z } from 'zod';
import { jsonPath as keyPath } from '../workspace.ts';

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    default:
      return issue.message;
  }
}

/** One line per issue, each starting with the config key path at fault. */
export function formatZodIssues(error: z.ZodError, maxIssues = 5): string {
  const lines = error.issues.slice(0, maxIssues).map((issue) => `${keyPath(issue.path)}: ${describe(issue)}`);
  if (error.issues.length > maxIssues) lines.push(`... and ${error.issues.length - maxIssues} more`);
  return lines.join('; ');
}
