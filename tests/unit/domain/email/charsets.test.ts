import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { readNotes } from '../../../../functions/domain/email/read-notes';
import { fixtureBytes } from '../../../support/fixtures';

// The fixtures are written byte for byte as legacy clients send them: 8bit or quoted-printable bodies, RFC 2047 headers.
const parse = (name: string) => parseEmail(fixtureBytes(`charsets/${name}`));
const body = async (name: string) => (await readNotes(await parse(name))).body;

const CP1252_NOTES = [
  'José – here’s the list from today’s 1:1.',
  '',
  'Action items',
  '• José: send the €12k quote to “Müller GmbH” by Friday',
  '• Zoë — book the ‘Lisbon’ offsite… before 12/3',
  '• Renée will chase legal re: the “Café Zoë” contract – EOW',
  '',
  'Renée',
].join('\n');

const MISLABELED_NOTES = [
  'Action items',
  '- José: send the €12k quote to “Müller GmbH” by Friday',
  '- Zoë – book the offsite…',
].join('\n');

describe('parseEmail: windows-1252', () => {
  it('decodes a quoted-printable body with smart quotes, dashes, €, …, bullets and accents', async () => {
    // Act
    const notes = await body('windows-1252-qp.eml');

    // Assess
    expect(notes).toBe(CP1252_NOTES);
  });

  it('decodes an RFC 2047 windows-1252 Subject written in Q encoding', async () => {
    // Act
    const email = await parse('windows-1252-qp.eml');

    // Assess
    expect(email.subject).toBe('1:1 – Renée / José: “Q1” follow-ups…');
  });

  it('decodes windows-1252 display names in Q and B encoding', async () => {
    // Act
    const email = await parse('windows-1252-qp.eml');

    // Assess
    expect(email.from).toEqual({ address: 'renee.muller@verdier.example', name: 'Renée Müller' });
    expect(email.to).toEqual([
      { address: 'jose.ibanez@verdier.example', name: 'José Ibáñez' },
      { address: 'zoe.hart@verdier.example', name: 'Zoë Hart' },
    ]);
  });

  it('decodes an 8bit body to the same text as its quoted-printable twin', async () => {
    // Act
    const notes = await body('windows-1252-8bit.eml');

    // Assess
    expect(notes).toBe(CP1252_NOTES);
  });

  it('decodes a B-encoded windows-1252 Subject with an em dash', async () => {
    // Act
    const email = await parse('windows-1252-8bit.eml');

    // Assess
    expect(email.subject).toBe('1:1 — Renée / José');
    expect(email.from?.name).toBe('Renée Müller');
  });

  it('decodes a windows-1252 HTML part before it becomes notes text', async () => {
    // Act
    const email = await parse('windows-1252-html.eml');
    const notes = await readNotes(email);

    // Assess
    expect(email.text).toBeNull();
    expect(email.html).toContain('<li>Zoë: send the €4,500 “Café Müller” proposal by Thursday</li>');
    expect(notes.body).toBe(
      [
        'Zoë – here’s what we agreed.',
        '',
        'Next steps',
        '',
        ' - Zoë: send the €4,500 “Café Müller” proposal by Thursday',
        ' - Renée — review José’s forecast… EOW',
        '',
        'Renée',
      ].join('\n'),
    );
  });
});

describe('parseEmail: ISO-8859 charsets', () => {
  it('decodes an ISO-8859-1 German body with umlauts and ß', async () => {
    // Act
    const notes = await body('iso-8859-1-de.eml');

    // Assess
    expect(notes).toBe(
      [
        'Hallo Käthe,',
        '',
        'Nächste Schritte',
        '- Käthe: Angebot für Bäckerei Größe überarbeiten bis Freitag',
        '- Jürgen: Übergabe an Ölwerke Süd klären',
        '',
        'Viele Grüße',
        'Jürgen',
      ].join('\n'),
    );
  });

  it('decodes ISO-8859-1 German headers in Q encoding', async () => {
    // Act
    const email = await parse('iso-8859-1-de.eml');

    // Assess
    expect(email.subject).toBe('1:1 Jürgen / Käthe - Aufgaben');
    expect(email.from?.name).toBe('Jürgen Müller');
    expect(email.to[0]?.name).toBe('Käthe Groß');
  });

  it('decodes an ISO-8859-1 French body with accents, cedillas and guillemets', async () => {
    // Act
    const notes = await body('iso-8859-1-fr.eml');

    // Assess
    expect(notes).toBe(
      [
        'Bonjour Hélène,',
        '',
        'Prochaines étapes',
        '- Hélène : envoyer le devis à la crèche « Les Pâquerettes » avant vendredi',
        "- François : relancer l'équipe de Noël",
        '',
        'À bientôt,',
        'François',
      ].join('\n'),
    );
  });

  it('decodes ISO-8859-1 French headers in B encoding', async () => {
    // Act
    const email = await parse('iso-8859-1-fr.eml');

    // Assess
    expect(email.subject).toBe('Réunion 1:1 - François / Hélène');
    expect(email.from?.name).toBe('François Lefèvre');
    expect(email.to[0]?.name).toBe('Hélène Garçon');
  });

  it('reads ISO-8859-15 byte 0xA4 as € rather than Latin-1’s ¤, with Œ œ Š š Ž ž Ÿ', async () => {
    // Act
    const email = await parse('iso-8859-15.eml');
    const notes = await readNotes(email);

    // Assess
    expect(email.subject).toBe('1:1 Chloé / Šimon - 250 €');
    expect(email.from?.name).toBe('Chloé Œhler');
    expect(email.to[0]?.name).toBe('Šimon Žák');
    expect(notes.body).toBe(
      [
        'Action items',
        '- Šimon: send the 250 € invoice to Œuvre & Cœur by Friday',
        "- Chloé: ask Žofie Žižka and Ivo Šašek about Ÿves's œuvre",
      ].join('\n'),
    );
  });

  it('decodes ISO-8859-2 Polish and Czech letters (Ł ń ż ó ř í ů)', async () => {
    // Act
    const email = await parse('iso-8859-2.eml');
    const notes = await readNotes(email);

    // Assess
    expect(email.subject).toBe('1:1 Łukasz / Antonín - Zadania');
    expect(email.from).toEqual({ address: 'lukasz.zielinski@wisla.example', name: 'Łukasz Zieliński' });
    expect(email.to).toEqual([{ address: 'antonin.dvorak@wisla.example', name: 'Antonín Dvořák' }]);
    expect(notes.body).toBe(
      [
        'Action items',
        '- Antonín: send the Kraków quote to Żaneta Wójcik by Friday',
        '- Łukasz: call Dvořák Strojírny about the Brno order (Příbram, Třeboň)',
        '',
        'Łukasz',
      ].join('\n'),
    );
  });
});

describe('parseEmail: charset labels that lie', () => {
  it('reads UTF-8 bytes under an unknown charset label as UTF-8', async () => {
    // Act
    const notes = await body('unknown-label-utf8.eml');

    // Assess
    expect(notes).toBe(MISLABELED_NOTES);
  });

  it('reads windows-1252 bytes under an unknown charset label as windows-1252', async () => {
    // Act
    const notes = await body('unknown-label-windows-1252.eml');

    // Assess
    expect(notes).toBe(MISLABELED_NOTES);
  });

  it('reads UTF-8 bytes labelled us-ascii as UTF-8', async () => {
    // Act
    const notes = await body('us-ascii-utf8.eml');

    // Assess
    expect(notes).toBe(MISLABELED_NOTES);
  });

  it('reads windows-1252 bytes labelled us-ascii as windows-1252', async () => {
    // Act
    const notes = await body('us-ascii-windows-1252.eml');

    // Assess
    expect(notes).toBe(MISLABELED_NOTES);
  });
});

describe('parseEmail: no decoding debris', () => {
  it.each([
    'windows-1252-qp.eml',
    'windows-1252-8bit.eml',
    'windows-1252-html.eml',
    'iso-8859-1-de.eml',
    'iso-8859-1-fr.eml',
    'iso-8859-15.eml',
    'iso-8859-2.eml',
    'unknown-label-utf8.eml',
    'unknown-label-windows-1252.eml',
    'us-ascii-utf8.eml',
    'us-ascii-windows-1252.eml',
  ])('leaves no C1 control, replacement character or "Ã"-style mojibake in %s', async (name) => {
    // Act
    const email = await parse(name);
    const decoded = [email.subject, email.from?.name, ...email.to.map((p) => p.name), email.text, email.html].join(
      '\n',
    );

    // Assess
    expect(decoded).not.toMatch(/[\u0080-\u009f\ufffd]|Ã|â€/);
  });
});
