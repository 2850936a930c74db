/**
 * Text that came from outside (KIS's msg1, error_description, stock names) reaches terminals
 * through the CLI and pretty-printed logs. An escape sequence in it could clear the screen,
 * retitle the window or hide what follows, so it is removed: whole ANSI CSI/OSC sequences first,
 * then every remaining C0 control (except tab and newline), DEL and C1 control (U+0080–U+009F,
 * which includes the single-character CSI U+009B).
 */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControlChars(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
