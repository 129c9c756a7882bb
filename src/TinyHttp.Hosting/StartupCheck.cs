using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace TinyHttp.Hosting;

/// <summary>
/// Reads every server's options when the host starts (through <c>ValidateOnStart</c>) and reports the problems of all
/// servers in one <see cref="OptionsValidationException"/>: the host's own start-up check stops at the first failing
/// name of an options type, so a mistake in the admin server's section would stay hidden behind one in the public one.
/// </summary>
internal sealed class StartupCheck
{
    internal sealed class Setup(IEnumerable<ServerRegistration> registrations, IOptionsMonitor<TinyHttpServerOptions> options) : IConfigureOptions<StartupCheck>
    {
        public void Configure(StartupCheck check)
        {
            var failures = new List<string>();
            foreach (ServerRegistration registration in registrations)
            {
                try
                {
                    options.Get(registration.Name);
                }
                catch (OptionsValidationException ex)
                {
                    failures.AddRange(ex.Failures);
                }
            }
            if (failures.Count > 0)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(TinyHttpServerOptions), failures);
            }
        }
    }
}
