import { describe, expect, it } from 'vitest';
import { simSchema } from '../../../src/config/schema.js';
import { DEFAULT_SIM_VARIANT, SIM_VARIANT_NAMES, simVariant } from '../../../src/sim/index.js';

describe('simulator answer variants', () => {
  it('config accepts exactly the variants the simulator knows, with the same default', () => {
    expect([...simSchema.shape.variant.unwrap().options].sort()).toEqual([...SIM_VARIANT_NAMES].sort());
    expect(simSchema.parse({}).variant).toBe(DEFAULT_SIM_VARIANT);
  });

  it('refuses an unknown variant with its name', () => {
    expect(() => simVariant('vts')).toThrow(/captured.*workbook|workbook.*captured/);
  });

  it('the variants differ in every shape they exist for', () => {
    const [a, b] = SIM_VARIANT_NAMES.map(simVariant);
    expect(a?.newOrderOrgnOdno).not.toBe(b?.newOrderOrgnOdno);
    expect(a?.notCancelledYn).not.toBe(b?.notCancelledYn);
    expect(a?.unpaddedPaperAck).not.toBe(b?.unpaddedPaperAck);
    expect(a?.expiredShownAs).not.toBe(b?.expiredShownAs);
  });
});
