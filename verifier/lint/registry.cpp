// The explicit rule list (see registry.h for why there is no self-registration).
#include "verifier/lint/registry.h"

#include "verifier/lint/rules/rules.h"

namespace stairway::lint {

const std::vector<const Rule*>& AllRules() {
  static const std::vector<const Rule*> kRules = {
      &kRuleRequireConcurrentIndexCreate,
      &kRuleRequireConcurrentIndexDrop,
      &kRuleRequireConcurrentReindex,
      &kRuleConcurrentInTransaction,
      &kRuleIndexOnPartitionedTable,
      &kRuleUniqueIndexMayFail,
      &kRuleIndexTooManyColumns,
      &kRulePg14CicCorruption,
      &kRuleCheckMissingNotValid,
      &kRuleFkMissingNotValid,
      &kRuleValidateInSameTransaction,
      &kRuleAddUniqueConstraint,
      &kRuleAddPrimaryKey,
      &kRulePkOnNullableColumns,
      &kRuleAddExclusionConstraint,
      &kRuleDropForeignKey,
      &kRuleFkMissingOnDelete,
      &kRuleFkSetNullOnNotNull,
      &kRuleFkMissingIndex,
      &kRuleDomainWithCheck,
      &kRuleSetNotNullScan,
      &kRuleAddRequiredColumn,
      &kRuleAddColumnVolatileDefault,
      &kRuleAddColumnSerialOrIdentity,
      &kRuleAddStoredGeneratedColumn,
      &kRuleChangeColumnType,
      &kRuleTypeChangeRevalidatesChecks,
      &kRuleAddJsonColumn,
      &kRuleDropNotNull,
      &kRuleRenameColumn,
      &kRuleRenameTable,
      &kRuleRenameSchema,
      &kRuleRenameEnumValue,
      &kRuleEnumValueUnordered,
      &kRuleDropTable,
      &kRuleDropColumn,
      &kRuleDropSchemaOrDatabase,
      &kRuleTruncateCascade,
      &kRuleRequireLockTimeout,
      &kRuleRequireStatementTimeout,
      &kRuleStatementsAfterStrongLock,
      &kRuleCombineAlterTable,
      &kRuleTransactionNesting,
      &kRuleUncommittedTransaction,
      &kRuleMixedTxnModes,
      &kRulePreferIdempotentDdl,
      &kRuleBackfillInDdlMigration,
      &kRuleRequireConcurrentDetach,
      &kRuleAttachPartitionScan,
      &kRulePreferRepack,
      &kRuleRefreshMatviewBlocking,
      &kRuleTableRewriteMisc,
      &kRuleTriggerOnExistingTable,
      &kRuleReplicaIdentityChange,
      &kRuleAutovacuumDisabled,
      &kRuleExplicitLockTable,
      &kRulePreferTextField,
      &kRuleBanCharField,
      &kRulePreferBigint,
      &kRulePreferIdentity,
      &kRulePreferTimestamptz,
      &kRuleAvoidEnum,
      &kRuleIdentifierTooLong,
      &kRuleRequireSchemaQualified,
      &kRuleColumnAlignment,
      &kRuleNamingConvention,
      &kRuleDuplicateColumnAssignment,
      &kRuleUnusedSuppression,
  };
  return kRules;
}

const Rule* FindRule(std::string_view id) {
  // Retired or peer-tool names that map to a rule, so old suppressions keep working.
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"require-concurrent-index-creation", "require-concurrent-index-create"},
      {"require-concurrent-index-deletion", "require-concurrent-index-drop"},
      {"prefer-timestamp-tz", "prefer-timestamptz"},
      {"unused-ignore", "unused-suppression"},
  };
  for (const auto& [alias, target] : kAliases) {
    if (id == alias) id = target;
  }
  for (const Rule* r : AllRules()) {
    if (r->id == id) return r;
  }
  return nullptr;
}

}  // namespace stairway::lint
