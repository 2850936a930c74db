/**
 * Finds where a JSON text first goes wrong. Node 20's JSON.parse messages carry a position only
 * for some errors ("Unexpected token '}', … is not valid JSON" has none), and an operator needs
 * the line and column of the typo.
 */

export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

class Scan {
  i = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw new SyntaxAt(this.i);
  }

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s.charAt(this.i))) this.i++;
  }

  expect(ch: string): void {
    if (this.s.charAt(this.i) !== ch) this.fail();
    this.i++;
  }

  value(): void {
    this.ws();
    const c = this.s.charAt(this.i);
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else this.literal();
  }

  object(): void {
    this.expect('{');
    this.ws();
    if (this.s.charAt(this.i) === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      this.string();
      this.ws();
      this.expect(':');
      this.value();
      this.ws();
      if (this.s.charAt(this.i) === '}') {
        this.i++;
        return;
      }
      this.expect(',');
    }
  }

  array(): void {
    this.expect('[');
    this.ws();
    if (this.s.charAt(this.i) === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      if (this.s.charAt(this.i) === ']') {
        this.i++;
        return;
      }
      this.expect(',');
    }
  }

  string(): void {
    this.expect('"');
    while (this.i < this.s.length) {
      const c = this.s.charAt(this.i);
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < ' ') this.fail();
      if (c === '\\') {
        this.i++;
        const e = this.s.charAt(this.i);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 1, this.i + 5))) this.fail();
          this.i += 4;
        } else if (!'"\\/bfnrt'.includes(e) || e === '') {
          this.fail();
        }
      }
      this.i++;
    }
    this.fail();
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    this.i += m[0].length;
  }

  literal(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail();
  }
}

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

/** The position of the first syntax error, or null when the text is valid JSON. */
export function findJsonError(text: string): TextPosition | null {
  const scan = new Scan(text);
  try {
    scan.value();
    scan.ws();
    if (scan.i < text.length) scan.fail();
    return null;
  } catch (err) {
    if (err instanceof SyntaxAt) return positionOf(text, err.offset);
    throw err;
  }
}
