/** Forms of the admin screens: one way to submit (busy while sending, the problem kept) and the
 * API's field errors shown under their inputs. */
import { useState, type CSSProperties, type FormEvent, type ReactNode } from 'react';
import { errorMessage, fieldError, fieldErrorUnder } from '../lib/problem';
import { Button, Dialog, ErrorBanner } from './index';

export interface Submit {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  /**
   * Runs the action once and tells whether it went through; a thrown error (an ApiError from the
   * API or from `invalidInput`) is kept for the form to show.
   */
  submit: (event?: FormEvent) => Promise<boolean>;
  /** The message for one field of the last error, for the `error` of a TextField. */
  fieldError: (field: string) => string | undefined;
}

export function useSubmit(action: () => Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return {
    busy,
    error,
    setError,
    fieldError: (field) => fieldError(error, field),
    submit: async (event) => {
      event?.preventDefault();
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** A form: what the last error said at the top, the fields, then submit and an optional cancel. */
export function Form({
  form,
  submitLabel = 'Save',
  onCancel,
  head,
  className,
  style,
  labelledBy,
  children,
}: {
  form: Submit;
  submitLabel?: string;
  onCancel?: () => void;
  /** Shown above the error, such as a form's own heading. */
  head?: ReactNode;
  className?: string;
  style?: CSSProperties;
  labelledBy?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={['form-grid', className].filter(Boolean).join(' ')}
      style={style}
      aria-labelledby={labelledBy}
      onSubmit={(e) => void form.submit(e)}
    >
      {head}
      <ErrorBanner error={form.error} />
      {children}
      <div className="row">
        <Button type="submit" busy={form.busy}>
          {submitLabel}
        </Button>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}

/** A dialog holding one form; Cancel, Escape and the close button all close it. */
export function FormDialog({
  title,
  form,
  submitLabel,
  onClose,
  children,
}: {
  title: string;
  form: Submit;
  submitLabel?: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <Form form={form} submitLabel={submitLabel} onCancel={onClose}>
        {children}
      </Form>
    </Dialog>
  );
}

/**
 * An error shown in a line under what it is about (a table row's inputs): the message of the
 * fields under `field` when given, otherwise the whole error's sentence.
 */
export function InlineError({ error, field }: { error: unknown; field?: string }) {
  if (!error) return null;
  const message = field === undefined ? errorMessage(error) : fieldErrorUnder(error, field);
  return message ? <div className="field-error">{message}</div> : null;
}
