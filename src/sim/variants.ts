import { AppError } from '../domain/index.js';

/**
 * Where KIS is known to answer in more than one shape, the simulator answers in each, so a
 * client that assumes one shape fails a test instead of failing in production (docs/kis-wire.md).
 * Tests run every variant; sim mode picks one by name (config `sim.variant`).
 *
 * - `workbook`: the official workbook's stock examples: a new order's daily-ccld row has
 *   `orgn_odno ""` and `cncl_yn ""`; order numbers padded; the unfilled rest of a day order shows
 *   as `cncl_cfrm_qty` after the close.
 * - `captured`: what public captures of live and paper KIS show: `orgn_odno "0000000000"`,
 *   `cncl_yn "N"`; paper order acknowledgements with the order number unpadded (`"51378"`); the
 *   unfilled rest of a day order shows as `rjct_qty` after the close.
 */
export type SimVariantName = 'workbook' | 'captured';

export interface WireVariant {
  name: SimVariantName;
  /** orgn_odno of a new order's row (daily-ccld, psbl-rvsecncl) */
  newOrderOrgnOdno: string;
  /** cncl_yn of a row that is not a cancel */
  notCancelledYn: string;
  /** paper order acknowledgements carry ODNO without its zero padding */
  unpaddedPaperAck: boolean;
  /** where the rest of a day order left unfilled at the close is shown */
  expiredShownAs: 'cncl_cfrm_qty' | 'rjct_qty';
}

export const SIM_VARIANTS: Readonly<Record<SimVariantName, WireVariant>> = {
  workbook: { name: 'workbook', newOrderOrgnOdno: '', notCancelledYn: '', unpaddedPaperAck: false, expiredShownAs: 'cncl_cfrm_qty' },
  captured: { name: 'captured', newOrderOrgnOdno: '0000000000', notCancelledYn: 'N', unpaddedPaperAck: true, expiredShownAs: 'rjct_qty' },
};

export const SIM_VARIANT_NAMES = Object.keys(SIM_VARIANTS) as SimVariantName[];

/** The shape real KIS sends today; what the simulator answers when not told otherwise. */
export const DEFAULT_SIM_VARIANT: SimVariantName = 'captured';

export function simVariant(name: string): WireVariant {
  const v = (SIM_VARIANTS as Record<string, WireVariant | undefined>)[name];
  if (!v) throw new AppError('SIM_INVALID_OPTIONS', `simulator variant must be one of ${SIM_VARIANT_NAMES.join(', ')}, got "${name}"`);
  return v;
}
