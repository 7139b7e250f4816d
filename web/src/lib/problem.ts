/** RFC 9457 problem details as the API sends them, and the error the data layer throws. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly fieldErrors: FieldError[];
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code;
    this.problem = problem;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** The message for one form field, matching `body.phone`, `phone` or `["body","phone"]` style names. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => {
      const name = String(e.field);
      return name === field || name.endsWith(`.${field}`) || name.endsWith(`,${field}`);
    })?.message;
  }
}

/** What `error` says about one form field, when it is a problem naming that field. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

/** The first message about anything under `prefix` (`items.2` finds `items.2.price`). */
export function fieldErrorUnder(error: unknown, prefix: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fieldErrors.find((e) => {
    const name = String(e.field);
    return name === prefix || name.startsWith(`${prefix}.`);
  })?.message;
}

/** A refusal found before sending, shaped like the API's so a form shows both the same way. */
export function invalidInput(detail: string, errors: FieldError[]): ApiError {
  return new ApiError(422, { title: 'Invalid input', detail, errors });
}

function asProblem(value: unknown): Problem {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    // FastAPI's default validation answer: {detail: [{loc, msg}]}
    if (Array.isArray(v.detail)) {
      const errors = (v.detail as Array<Record<string, unknown>>).map((d) => ({
        field: Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : String(d.loc),
        message: String(d.msg ?? 'Invalid value'),
      }));
      return { title: 'Invalid input', detail: 'Please check the highlighted fields.', errors };
    }
    return v as Problem;
  }
  if (typeof value === 'string' && value) return { detail: value };
  return {};
}

export function toApiError(status: number, body: unknown): ApiError {
  return new ApiError(status, asProblem(body));
}

/** A human sentence for any error, for banners and toasts. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return 'You are offline. Showing what we saved last time.';
    return error.message;
  }
  if (error instanceof TypeError) return 'Cannot reach Kirana. Check your connection.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
