import { z } from 'zod';
import { INDICATOR_KINDS, THEMES } from '../../../etl/engine/types.ts';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;
const text = (max: number) => z.string().trim().min(1).max(max);

/** What a statistician says of an indicator vintage before it becomes a draft (step 3 of publishing). */
export const IndicatorDescriptionSchema = z
  .object({
    indicatorId: z.string().regex(KEBAB, 'identifiant en minuscules, chiffres et tirets (taux-rsa)').max(80),
    label: text(200),
    shortLabel: text(80).optional(),
    description: z.string().trim().max(2000).optional(),
    theme: z.enum(THEMES),
    unit: text(40),
    kind: z.enum(INDICATOR_KINDS),
    value: z.string().regex(VARIABLE).optional(),
    numerator: z.string().regex(VARIABLE).optional(),
    denominator: z.string().regex(VARIABLE).optional(),
    scale: z.number().positive().max(1e6).optional(),
    decimals: z.int().min(0).max(6).optional(),
    year: z.int().min(1900).max(2100),
    source: z.object({
      label: text(300),
      producer: text(200),
      url: z.string().trim().max(500).default(''),
      vintage: text(40),
      licence: text(100)
    }),
    secrecy: z.object({
      threshold: z.number().min(0).max(1e6),
      reason: z.string().trim().max(500).optional()
    })
  })
  .refine((d) => (d.kind === 'ratio' ? Boolean(d.numerator && d.denominator && !d.value) : Boolean(d.value && !d.numerator && !d.denominator)), {
    message: 'un ratio a un numérateur et un dénominateur ; les autres types une seule variable « value »',
    path: ['kind']
  });
export type IndicatorDescription = z.infer<typeof IndicatorDescriptionSchema>;
