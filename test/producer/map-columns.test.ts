import { describe, expect, it } from 'vitest';
import { mapColumns, normaliseHeader, parseMapOptions } from '../../src/producer/map-columns.js';
import { UsageError } from '../../src/shared/exit-codes.js';

describe('mapColumns', () => {
  it('maps French headers whatever their case, accents and punctuation', () => {
    const result = mapColumns(['Réf.', 'PRÉNOM', 'Nom', 'Téléphone portable', 'E-mail ']);

    expect(result).toEqual({
      ok: true,
      mapping: { external_id: 0, first_name: 1, last_name: 2, phone: 3, email: 4 },
    });
  });

  it('maps English headers and leaves other columns out', () => {
    const result = mapColumns(['Notes', 'First Name', 'last_name', 'Mobile', 'Email Address']);

    expect(result).toEqual({
      ok: true,
      mapping: { first_name: 1, last_name: 2, phone: 3, email: 4 },
    });
  });

  it('says which required fields have no column', () => {
    const result = mapColumns(['Prénom', 'Courriel']);

    expect(result).toEqual({ ok: false, missing: ['last_name', 'phone'], unknownOverrides: [] });
  });

  it('lets --map win over the aliases', () => {
    const result = mapColumns(['Prénom', 'Nom', 'Tel fixe', 'Tel perso', 'Mail'], {
      phone: 'Tel perso',
    });

    expect(result.ok && result.mapping.phone).toBe(3);
  });

  it('reports a --map naming a column the file lacks', () => {
    const result = mapColumns(['Prénom', 'Nom', 'Mobile', 'Mail'], { phone: 'GSM perso' });

    expect(result).toMatchObject({ ok: false, unknownOverrides: ['phone=GSM perso'] });
  });
});

describe('normaliseHeader', () => {
  it('drops accents, case, spaces and punctuation', () => {
    expect(normaliseHeader(' Numéro de Téléphone ')).toBe('numerodetelephone');
  });
});

describe('parseMapOptions', () => {
  it('reads field=Header pairs, keeping spaces and = in the header', () => {
    expect(parseMapOptions(['phone=Mobile perso', 'email=a=b'])).toEqual({
      phone: 'Mobile perso',
      email: 'a=b',
    });
  });

  it.each(['phone', 'mobile=Tel', '=Tel', 'phone='])('refuses %j as a usage error', (value) => {
    expect(() => parseMapOptions([value])).toThrow(UsageError);
  });
});
