using CausalQL.Binding;
using CausalQL.Data;
using CausalQL.Execution;
using CausalQL.Llm.Tools;
using CausalQL.Sessions;

namespace CausalQL.Server;

/// <summary>
/// Opens declared data for the server's sessions through CausalQL.Data (DuckDB), but only files under the data
/// roots; external SQL and model samples are refused. Scripts are screened before they run, so this is the
/// second line: a path that got past the screen still cannot be opened.
/// </summary>
public sealed class RootedDataOpener(DataRoots roots) : IDataOpener
{
    public Result<IDataSource> Open(DataSource source, string relativeTo)
    {
        switch (source)
        {
            case FileDataSource f:
                if (roots.Refusal(f.Path) is { } why) return Result<IDataSource>.Fail(why);
                return DataSourceFactory.Open(f.Format, [roots.Resolve(f.Path)], roots.Roots[0],
                    new DataSourceOptions(f.Options.Text("weight")));
            case CausalQL.Binding.SqlDataSource:
                return Result<IDataSource>.Fail("external SQL sources are not allowed on this server");
            default:
                return Result<IDataSource>.Fail("this kind of data source is not available on this server");
        }
    }
}
