package io.streammesh.cli;

import io.streammesh.platform.Onboarding;
import io.streammesh.platform.PrincipalKind;

/** What {@code mesh up --demo} adds: two producing domains and one consumer team. */
final class DemoMesh {

    /** The demo's producing domains. */
    static final String[] DOMAINS = {"orders", "customers"};
    /** The demo's consumer team. */
    static final String TEAM = "analytics";

    private DemoMesh() {
    }

    static void onboard(Onboarding onboarding) {
        for (String domain : DOMAINS) {
            onboarding.addDomain(domain);
        }
        onboarding.ensurePrincipal(TEAM, PrincipalKind.TEAM);
    }
}
