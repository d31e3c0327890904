using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Schedules;

[Flags]
public enum ScheduleKinds { None = 0, Cron = 1, Backup = 2, Statistics = 4, Certificate = 8, Retention = 16, All = Cron | Backup | Statistics | Certificate | Retention }
