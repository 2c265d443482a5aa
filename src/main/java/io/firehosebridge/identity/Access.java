package io.firehosebridge.identity;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** What a caller may do with the reconciliation API: look (viewer), or also change things (operator). */
public enum Access {
    /** Reads reports, jobs, the ledger and the coverage data. */
    VIEWER,
    /** Also starts jobs, re-drives, repairs and cancels. */
    OPERATOR;

    /** The access a call with this HTTP method needs: reading methods need a viewer, every other one an operator. */
    public static Access neededFor(String method) {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD", "OPTIONS" -> VIEWER;
            default -> OPERATOR;
        };
    }

    /** Whether a caller with this access may make a call that needs {@code needed}. */
    public boolean allows(Access needed) {
        return compareTo(needed) >= 0;
    }

    /** The access a provider's roles grant: operator if one is an operator role, else viewer if one is a viewer role, else null. */
    public static Access granted(Collection<String> roles, List<String> viewerRoles, List<String> operatorRoles) {
        if (roles.stream().anyMatch(operatorRoles::contains)) {
            return OPERATOR;
        }
        if (roles.stream().anyMatch(viewerRoles::contains)) {
            return VIEWER;
        }
        return null;
    }

    /** The name used in answers and the audit log. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
