// Labelled inputs of the plan form: a select, and a text field that shows its own problem.
'use client';

/** One choice of a select; a disabled one says why in its label. */
export interface SelectOption {
  id: string;
  label: string;
  disabled?: boolean;
}

/** A labelled select; a stored value not among the options is kept as an extra option. */
export function Select({
  label,
  value,
  options,
  onChange,
  testId,
  disabled = false,
  title,
}: {
  label: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  testId: string;
  disabled?: boolean;
  title?: string;
}) {
  const known = options.some((option) => option.id === value);
  return (
    <label className="field" {...(title === undefined ? {} : { title })}>
      <span>{label}</span>
      <select
        value={value}
        data-testid={testId}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        {known ? null : <option value={value}>{value}</option>}
        {options.map((option) => (
          <option key={option.id} value={option.id} disabled={option.disabled ?? false}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A labelled text input showing `text` as typed, with `problem` (what the field expects) under
 * it and marked invalid while there is one.
 */
export function TextField({
  label,
  text,
  problem,
  onText,
  testId,
  inputMode,
  placeholder,
}: {
  label: string;
  text: string;
  problem: string | null;
  onText: (text: string) => void;
  testId: string;
  inputMode: 'numeric' | 'decimal';
  placeholder?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        inputMode={inputMode}
        value={text}
        data-testid={testId}
        aria-invalid={problem !== null}
        {...(placeholder === undefined ? {} : { placeholder })}
        onChange={(event) => onText(event.target.value)}
      />
      {problem === null ? null : (
        <small className="invalid" data-testid={`${testId}-problem`}>
          {problem}
        </small>
      )}
    </label>
  );
}
