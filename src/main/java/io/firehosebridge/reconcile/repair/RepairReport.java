package io.firehosebridge.reconcile.repair;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a duplicate repair found and did in the search index (never in the S3 backup).
 *
 * @param source the reconciliation whose ranges were repaired; null for the ledger verifier's repairs
 * @param dryRun true when nothing was deleted: the counts and offsets say what would have been
 * @param duplicatedOffsets offsets found with more than one document
 * @param copiesKept copies kept, one per duplicated offset with a valid copy
 * @param copiesToDelete copies chosen for deletion (the extra valid copies)
 * @param copiesDeleted copies the search index deleted; 0 in a dry run
 * @param copiesChanged copies not deleted because they changed or were already deleted (by a repair running at the same time)
 * @param copiesInvalid copies left alone because their source lacks valid coordinates of the offset
 * @param offsets the first repaired offsets, with the copy kept and the extra copies
 * @param offsetsTruncated true when more offsets were repaired than listed
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RepairReport(String source, boolean dryRun, long duplicatedOffsets, long copiesKept, long copiesToDelete, long copiesDeleted,
        long copiesChanged, long copiesInvalid, List<RepairedOffset> offsets, boolean offsetsTruncated) {

    public RepairReport {
        offsets = offsets == null ? List.of() : List.copyOf(offsets);
    }

    /** A repair that has not found anything yet. */
    public static RepairReport none(String source, boolean dryRun) {
        return new RepairReport(source, dryRun, 0, 0, 0, 0, 0, 0, List.of(), false);
    }

    /** Whether every copy chosen for deletion is gone (deleted now, or already gone or changed meanwhile). */
    public boolean deletedAll() {
        return !dryRun && copiesDeleted + copiesChanged >= copiesToDelete;
    }

    /** A document named by index and id. */
    @RegisterForReflection
    public record Copy(String index, String id) {
    }

    /**
     * One repaired offset.
     *
     * @param partition the partition
     * @param offset the offset
     * @param kept the copy kept
     * @param extra the copies deleted (in a dry run: that would be deleted)
     */
    @RegisterForReflection
    public record RepairedOffset(int partition, long offset, Copy kept, List<Copy> extra) {
    }

    /** This report and another one of the same repair added up, listing at most {@code limit} offsets. */
    public RepairReport plus(RepairReport other, int limit) {
        List<RepairedOffset> listed = new ArrayList<>(offsets);
        boolean truncated = offsetsTruncated || other.offsetsTruncated;
        for (RepairedOffset o : other.offsets) {
            if (listed.size() < limit) {
                listed.add(o);
            } else {
                truncated = true;
            }
        }
        return new RepairReport(source, dryRun, duplicatedOffsets + other.duplicatedOffsets, copiesKept + other.copiesKept,
                copiesToDelete + other.copiesToDelete, copiesDeleted + other.copiesDeleted, copiesChanged + other.copiesChanged,
                copiesInvalid + other.copiesInvalid, listed, truncated);
    }
}
