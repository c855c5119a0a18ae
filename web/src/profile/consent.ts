/** The "Personalised For You" switch on one's own profile. Consent starts withdrawn: For You is the
 * same for everyone until the holder turns this on. */

import { describe, get, request } from "../api";
import { h } from "../dom";
import type { Schemas } from "../schemas";
import { toast } from "../ui";

export function personalisationSwitch(): HTMLElement {
  const box = h("input", { type: "checkbox", id: "personalise", role: "switch", disabled: true });
  const hint = h("span", { class: "profile-consent-hint", id: "personalise-hint" },
    "For You learns from what you watch, like and skip.");
  box.setAttribute("aria-describedby", "personalise-hint");
  get<Schemas["ConsentState"]>("/v1/me/consent").then(
    (consent) => {
      box.checked = consent.personalisation;
      box.disabled = false;
    },
    () => hint.replaceChildren("Could not read this setting."),
  );
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      const body: Schemas["ConsentUpdate"] = { personalisation: box.checked };
      await request<Schemas["ConsentResult"]>("PUT", "/v1/me/consent", { body });
      toast(box.checked ? "For You now learns from what you do" : "For You is no longer personalised");
    } catch (error) {
      box.checked = !box.checked;
      toast(describe(error));
    } finally {
      box.disabled = false;
    }
  });
  return h("div", { class: "profile-consent" },
    box, h("label", { for: "personalise" }, "Personalised For You"), hint);
}
