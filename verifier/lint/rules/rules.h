// Every rule object, one per file in this folder; registry.cpp lists them in catalogue order.
#pragma once

#include "verifier/lint/rule.h"

namespace stairway::lint {

extern const Rule kRuleRequireConcurrentIndexCreate;
extern const Rule kRuleRequireConcurrentIndexDrop;
extern const Rule kRuleRequireConcurrentReindex;
extern const Rule kRuleConcurrentInTransaction;
extern const Rule kRuleIndexOnPartitionedTable;
extern const Rule kRuleUniqueIndexMayFail;
extern const Rule kRuleIndexTooManyColumns;
extern const Rule kRulePg14CicCorruption;
extern const Rule kRuleCheckMissingNotValid;
extern const Rule kRuleFkMissingNotValid;
extern const Rule kRuleValidateInSameTransaction;
extern const Rule kRuleAddUniqueConstraint;
extern const Rule kRuleAddPrimaryKey;
extern const Rule kRulePkOnNullableColumns;
extern const Rule kRuleAddExclusionConstraint;
extern const Rule kRuleDropForeignKey;
extern const Rule kRuleFkMissingOnDelete;
extern const Rule kRuleFkSetNullOnNotNull;
extern const Rule kRuleFkMissingIndex;
extern const Rule kRuleDomainWithCheck;
extern const Rule kRuleSetNotNullScan;
extern const Rule kRuleAddRequiredColumn;
extern const Rule kRuleAddColumnVolatileDefault;
extern const Rule kRuleAddColumnSerialOrIdentity;
extern const Rule kRuleAddStoredGeneratedColumn;
extern const Rule kRuleChangeColumnType;
extern const Rule kRuleTypeChangeRevalidatesChecks;
extern const Rule kRuleAddJsonColumn;
extern const Rule kRuleDropNotNull;
extern const Rule kRuleRenameColumn;
extern const Rule kRuleRenameTable;
extern const Rule kRuleRenameSchema;
extern const Rule kRuleRenameEnumValue;
extern const Rule kRuleEnumValueUnordered;
extern const Rule kRuleDropTable;
extern const Rule kRuleDropColumn;
extern const Rule kRuleDropSchemaOrDatabase;
extern const Rule kRuleTruncateCascade;
extern const Rule kRuleRequireLockTimeout;
extern const Rule kRuleRequireStatementTimeout;
extern const Rule kRuleStatementsAfterStrongLock;
extern const Rule kRuleCombineAlterTable;
extern const Rule kRuleTransactionNesting;
extern const Rule kRuleUncommittedTransaction;
extern const Rule kRuleMixedTxnModes;
extern const Rule kRulePreferIdempotentDdl;
extern const Rule kRuleBackfillInDdlMigration;
extern const Rule kRuleRequireConcurrentDetach;
extern const Rule kRuleAttachPartitionScan;
extern const Rule kRulePreferRepack;
extern const Rule kRuleRefreshMatviewBlocking;
extern const Rule kRuleTableRewriteMisc;
extern const Rule kRuleTriggerOnExistingTable;
extern const Rule kRuleReplicaIdentityChange;
extern const Rule kRuleAutovacuumDisabled;
extern const Rule kRuleExplicitLockTable;
extern const Rule kRulePreferTextField;
extern const Rule kRuleBanCharField;
extern const Rule kRulePreferBigint;
extern const Rule kRulePreferIdentity;
extern const Rule kRulePreferTimestamptz;
extern const Rule kRuleAvoidEnum;
extern const Rule kRuleIdentifierTooLong;
extern const Rule kRuleRequireSchemaQualified;
extern const Rule kRuleColumnAlignment;
extern const Rule kRuleNamingConvention;
extern const Rule kRuleDuplicateColumnAssignment;
extern const Rule kRuleUnusedSuppression;

}  // namespace stairway::lint
