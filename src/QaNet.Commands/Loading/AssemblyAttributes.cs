using System.Runtime.CompilerServices;

// The xunit tests drive PolicyFiles and the load context directly.
[assembly: InternalsVisibleTo("QaNet.Tests")]
