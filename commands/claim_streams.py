"""Where the claim on a handle or an email address lives: its stream's name, keyed, and the legacy
name an older log may hold it under.

The keyed name is ``<kind>-<HMAC-SHA256(secret, value)>`` (``domain.accounts.claim_key``). The secret
lives in the key store, under ``SECRET_SUBJECT``, made on first use. Why there and not in a setting:
it is a secret of the same kind as the data keys, kept outside the log in the same owner-only file
and backed up with them; every process that appends claims already opens that store, so no two
processes can be configured with different secrets and split uniqueness between them; and no
operator has to invent one, so no deployment runs on a default. Losing it would orphan every keyed
claim, as losing the key store orphans every sealed field: the two are kept, and lost, together.
No person is its subject, so no erasure deletes it.

Legacy names (``handle-<lower-case handle>``, ``email-<sha256 of the address>``) are read, so values
claimed before keys existed stay unique, but no new claim is ever appended under them.
"""

from __future__ import annotations

import dataclasses

from commands import streams
from commands.handling import store_errors
from domain.accounts import ClaimKind, claim_key, email_key, handle_key, normalise_email
from eventstore.keystore import KeyStore

SECRET_SUBJECT = "system:claim-names"


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimStreams:
    kind: ClaimKind
    keyed: str
    legacy: str


def of_handle(keys: KeyStore, handle: str) -> ClaimStreams:
    """``handle`` as typed; claims ignore case."""
    keyed = claim_key(_secret(keys), ClaimKind.HANDLE.value, handle_key(handle))
    return ClaimStreams(
        ClaimKind.HANDLE, streams.handle_claim(keyed), streams.handle_claim(handle_key(handle))
    )


def of_email(keys: KeyStore, email: str) -> ClaimStreams:
    """``email`` as typed; claims ignore case and surrounding spaces."""
    keyed = claim_key(_secret(keys), ClaimKind.EMAIL.value, normalise_email(email))
    return ClaimStreams(ClaimKind.EMAIL, streams.email_claim(keyed), streams.email_claim(email_key(email)))


def kind_of(stream: str) -> ClaimKind | None:
    """What a claim stream holds, from its category; ``None`` for a stream that is no claim."""
    category = stream.partition("-")[0]
    return ClaimKind(category) if category in {kind.value for kind in ClaimKind} else None


def _secret(keys: KeyStore) -> bytes:
    """Found first, so the common case is a read; made (once, by whichever process is first) only
    when there is none yet."""
    with store_errors():
        found = keys.find(SECRET_SUBJECT)
        return found if found is not None else keys.key_for(SECRET_SUBJECT)
