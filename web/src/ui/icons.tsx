/** Inline SVG icons (stroke style): no icon font, no emoji font needed on the device. */
const PATHS: Record<string, string[]> = {
  home: ['M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z'],
  search: ['M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14z', 'm20 20-4-4'],
  cart: ['M3 4h2l2.4 11.2a2 2 0 0 0 2 1.6h7.7a2 2 0 0 0 2-1.6L21 8H6', 'M10 20.5h.01M17 20.5h.01'],
  bag: ['M5 8h14l-1.2 12.1a2 2 0 0 1-2 1.9H8.2a2 2 0 0 1-2-1.9z', 'M9 8V6a3 3 0 0 1 6 0v2'],
  receipt: ['M6 3h12v18l-3-2-3 2-3-2-3 2z', 'M9 8h6M9 12h6'],
  user: ['M12 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8z', 'M4 21a8 8 0 0 1 16 0'],
  pin: [
    'M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z',
    'M12 7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
  ],
  box: ['M3 7.5 12 3l9 4.5v9L12 21l-9-4.5z', 'M3 7.5 12 12l9-4.5M12 12v9'],
  store: ['M4 10v10h16V10', 'M3 4h18l-1 6H4z', 'M10 20v-5h4v5'],
  bike: [
    'M6 13.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM18 13.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z',
    'M6 17l4-8h5l3 8M10 9 8 5H6M15 9h3',
  ],
  lock: [
    'M7 11h10a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2v-6a2 2 0 0 1 2-2z',
    'M8 11V7a4 4 0 0 1 8 0v4',
  ],
  compass: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'm15.5 8.5-2 5-5 2 2-5z'],
  tag: ['M3 12V3h9l9 9-9 9z', 'M7.5 6.5h.01'],
  check: ['m5 12 5 5 9-10'],
  clock: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 7v5l3 2'],
  target: [
    'M12 5a7 7 0 1 0 0 14 7 7 0 0 0 0-14z',
    'M12 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4z',
    'M12 2v3M12 19v3M2 12h3M19 12h3',
  ],
};

export type IconName = keyof typeof PATHS;

export function Icon({
  name,
  size = 20,
  label,
}: {
  name: IconName;
  size?: number;
  label?: string;
}) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {(PATHS[name] ?? []).map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
