import { describe, expect, it } from 'vitest';
import { OwnerResolver } from '../../../../functions/domain/extraction/owners';

const dana = { address: 'dana.whitfield@halvorsen.example', name: 'Dana Whitfield' };
const marcus = { address: 'marcus.oyelaran@halvorsen.example', name: 'Marcus Oyelaran' };
const resolver = new OwnerResolver({ attendees: [dana, marcus], author: dana });

describe('OwnerResolver', () => {
  it('resolves a first name to the attendee’s address', () => {
    expect(resolver.resolve('Marcus')).toMatchObject({ owner: marcus.address, attendee: true });
  });

  it('resolves a full name, a last name and an @handle', () => {
    expect(resolver.resolve('Marcus Oyelaran')?.owner).toBe(marcus.address);
    expect(resolver.resolve('Whitfield')?.owner).toBe(dana.address);
    expect(resolver.resolve('@marcus')?.owner).toBe(marcus.address);
  });

  it('resolves initials written in capitals', () => {
    expect(resolver.resolve('MO')?.owner).toBe(marcus.address);
    expect(resolver.resolve('DW')?.owner).toBe(dana.address);
  });

  it('takes I and me as the author of the notes, and you as the other attendee', () => {
    expect(resolver.resolve('Me')?.owner).toBe(dana.address);
    expect(resolver.pronoun('I')?.owner).toBe(dana.address);
    expect(resolver.pronoun('you')?.owner).toBe(marcus.address);
  });

  it('takes "Name (me)" as the author', () => {
    expect(resolver.resolve('@Dana (me)')?.owner).toBe(dana.address);
  });

  it('keeps a non-attendee’s name as written, without the role in brackets', () => {
    expect(resolver.resolve('Zoë (SE)')).toEqual({ owner: 'Zoë', ownerName: 'Zoë', attendee: false });
  });

  it('matches names regardless of accents, and from the address when the display name is missing', () => {
    const juergen = { address: 'juergen.mueller@ostwind.example', name: null };
    const stephanie = { address: 's.lefevre@ostwind.example', name: 'Stéphanie Lefèvre' };
    const german = new OwnerResolver({ attendees: [juergen, stephanie], author: stephanie });

    expect(german.resolve('Stephanie')?.owner).toBe(stephanie.address);
    expect(german.resolve('Juergen')?.owner).toBe(juergen.address);
  });

  it('leaves "you" unresolved when the meeting has more than one other attendee', () => {
    const ben = { address: 'ben@x.example', name: 'Ben Sutter' };
    const group = new OwnerResolver({ attendees: [dana, marcus, ben], author: dana });

    expect(group.pronoun('you')).toBeNull();
  });
});
